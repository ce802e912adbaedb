from django.urls import path

from cakap.competence import views, views_results, views_take

app_name = "competence"

urlpatterns = [
    path("", views.home, name="home"),
    path("frameworks/new/", views.framework_create, name="framework-create"),
    path("frameworks/import/", views.framework_import, name="framework-import"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<int:pk>/export.xlsx", views.framework_export, name="framework-export"),
    path("programmes/<int:pk>/", views.programme_competence, name="programme"),
    path("programmes/<int:pk>/framework/", views.programme_framework, name="programme-framework"),
    path("programmes/<int:pk>/modules/", views.programme_modules, name="programme-modules"),
    path("programmes/<int:pk>/instruments/new/", views.instrument_create, name="instrument-create"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument"),
    path("instruments/<int:pk>/bank.xlsx", views.bank_export, name="bank-export"),
    path("instruments/<int:pk>/bank/import/", views.bank_import, name="bank-import"),
    path(
        "instruments/<int:pk>/administrations/new/",
        views.administration_create,
        name="administration-create",
    ),
    path("instruments/<int:pk>/results/", views_results.instrument_results, name="results"),
    path("instruments/<int:pk>/results.xlsx", views_results.results_export, name="results-export"),
    path(
        "instruments/<int:pk>/groups/<int:group_pk>/heatmap/",
        views_results.heatmap,
        name="heatmap",
    ),
    path("instruments/<int:pk>/people/<int:person_pk>/", views_results.profile, name="profile"),
    path("items/<int:pk>/remove/", views.item_remove, name="item-remove"),
    path("administrations/<int:pk>/", views.administration_detail, name="administration"),
    path(
        "administrations/<int:pk>/close/", views.administration_close, name="administration-close"
    ),
    path("administrations/<int:pk>/items/", views_results.item_analysis, name="item-analysis"),
    path(
        "administrations/<int:pk>/observe/<int:person_pk>/",
        views_take.observe,
        name="observe",
    ),
    path("take/<int:pk>/", views_take.take, name="take"),
    path("take/<int:pk>/start/", views_take.take_start, name="take-start"),
    path("take/<int:pk>/save/", views_take.take_save, name="take-save"),
    path("take/<int:pk>/submit/", views_take.take_submit, name="take-submit"),
]
