app_name = "music"

urlpatterns: list = []
