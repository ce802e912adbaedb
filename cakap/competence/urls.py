from django.urls import path

from cakap.competence import views, views_results, views_take

app_name = "competence"

urlpatterns = [
    path("", views.home, name="home"),
    path("frameworks/new/", views.framework_create, name="framework-create"),
    path("frameworks/import/", views.framework_import, name="framework-import"),
    path("frameworks/<id:pk>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<id:pk>/export.xlsx", views.framework_export, name="framework-export"),
    path("programmes/<id:pk>/", views.programme_competence, name="programme"),
    path("programmes/<id:pk>/framework/", views.programme_framework, name="programme-framework"),
    path("programmes/<id:pk>/modules/", views.programme_modules, name="programme-modules"),
    path("programmes/<id:pk>/instruments/new/", views.instrument_create, name="instrument-create"),
    path("instruments/<id:pk>/", views.instrument_detail, name="instrument"),
    path("instruments/<id:pk>/bank.xlsx", views.bank_export, name="bank-export"),
    path("instruments/<id:pk>/bank/import/", views.bank_import, name="bank-import"),
    path(
        "instruments/<id:pk>/administrations/new/",
        views.administration_create,
        name="administration-create",
    ),
    path("instruments/<id:pk>/results/", views_results.instrument_results, name="results"),
    path("instruments/<id:pk>/results.xlsx", views_results.results_export, name="results-export"),
    path(
        "instruments/<id:pk>/groups/<id:group_pk>/heatmap/",
        views_results.heatmap,
        name="heatmap",
    ),
    path("instruments/<id:pk>/people/<id:person_pk>/", views_results.profile, name="profile"),
    path("items/<id:pk>/remove/", views.item_remove, name="item-remove"),
    path("administrations/<id:pk>/", views.administration_detail, name="administration"),
    path("administrations/<id:pk>/close/", views.administration_close, name="administration-close"),
    path("administrations/<id:pk>/items/", views_results.item_analysis, name="item-analysis"),
    path(
        "administrations/<id:pk>/observe/<id:person_pk>/",
        views_take.observe,
        name="observe",
    ),
    path("take/<id:pk>/", views_take.take, name="take"),
    path("take/<id:pk>/start/", views_take.take_start, name="take-start"),
    path("take/<id:pk>/save/", views_take.take_save, name="take-save"),
    path("take/<id:pk>/submit/", views_take.take_submit, name="take-submit"),
]
