from ninja import Router

router = Router(tags=["Phân phối hỗ trợ"])
