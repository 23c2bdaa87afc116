from ninja import Router

router = Router(tags=["Public registers"])
