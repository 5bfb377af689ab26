from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hamlets.auth import ThrottledLoginView
from hamlets.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
    path("", include("hamlets.urls")),
]
