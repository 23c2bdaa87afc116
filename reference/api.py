from ninja import Router

router = Router(tags=["Reference data"])
