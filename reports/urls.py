from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("indicators", views.indicators_api, name="indicators_api"),
]
