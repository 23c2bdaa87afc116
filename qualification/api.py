from ninja import Router

router = Router(tags=["Qualified organisations"])
