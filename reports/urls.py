from django.urls import path

from . import quality_views, views

app_name = "reports"
urlpatterns = [
    path("api/v1/indicators", views.indicators_api, name="indicators_api"),
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path("dashboard/<str:kind>/<str:code>/", views.dashboard, name="dashboard"),
    path("dashboard/<str:kind>/<str:code>/trend/", views.trend, name="trend"),
    path("dashboard/<str:kind>/<str:code>/findings/", views.findings_open, name="findings_open"),
    path("dashboard/<str:kind>/<str:code>/<str:key>/", views.drill_down, name="drill_down"),
    path("goals/", views.goals_home, name="goals_home"),
    path("goals/<str:kind>/<str:code>/", views.goals_page, name="goals"),
    path("quality/", quality_views.quality_home, name="quality_home"),
    path("quality/<str:kind>/<str:code>/", quality_views.quality_page, name="quality"),
    path("quality/<str:kind>/<str:code>/mark/", quality_views.quality_mark, name="quality_mark"),
    path("email/stop/<str:token>/", views.email_stop, name="email_stop"),
    path("summaries/", views.summary_list, name="summary_list"),
    path(
        "summaries/all/<str:month>/export.<str:export_format>",
        views.summary_province_export,
        name="summary_province_export",
    ),
    path("summaries/<str:kind>/<str:code>/<str:month>/", views.summary_detail, name="summary_detail"),
    path("summaries/<str:kind>/<str:code>/<str:month>/changes/", views.summary_changes, name="summary_changes"),
    path(
        "summaries/<str:kind>/<str:code>/<str:month>/export.<str:export_format>",
        views.summary_export,
        name="summary_export",
    ),
]
