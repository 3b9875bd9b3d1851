app_name = "compositions"

urlpatterns: list = []
