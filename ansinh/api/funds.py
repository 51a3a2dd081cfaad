from ninja import Router

router = Router(tags=["Quỹ an sinh xã hội"])
