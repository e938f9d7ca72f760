from django.urls import URLPattern

app_name = "webapp"
urlpatterns: list[URLPattern] = []
