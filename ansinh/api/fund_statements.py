from ninja import Router

router = Router(tags=["Sao kê ngân hàng"])
