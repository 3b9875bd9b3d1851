from django.urls import path

from welfare import api

urlpatterns = [
    path("welfare/token/", api.WelfareTokenView.as_view(), name="api_welfare_token"),
    path("welfare/clients/", api.ClientListView.as_view(), name="api_welfare_clients"),
    path(
        "welfare/clients/<int:client_id>/trend/",
        api.ClientTrendView.as_view(),
        name="api_welfare_client_trend",
    ),
    path(
        "welfare/alerts/<int:alert_id>/acknowledge/",
        api.AlertAcknowledgeView.as_view(),
        name="api_welfare_alert_acknowledge",
    ),
]
