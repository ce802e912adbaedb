from django.urls import path

from cakap.competence.views import instruments, results, take

app_name = "competence"

urlpatterns = [
    path("", instruments.home, name="home"),
    path("frameworks/new/", instruments.framework_create, name="framework-create"),
    path("frameworks/import/", instruments.framework_import, name="framework-import"),
    path("frameworks/<id:pk>/", instruments.framework_detail, name="framework-detail"),
    path("frameworks/<id:pk>/export.xlsx", instruments.framework_export, name="framework-export"),
    path("programmes/<id:pk>/", instruments.programme_competence, name="programme"),
    path(
        "programmes/<id:pk>/framework/", instruments.programme_framework, name="programme-framework"
    ),
    path("programmes/<id:pk>/modules/", instruments.programme_modules, name="programme-modules"),
    path(
        "programmes/<id:pk>/instruments/new/",
        instruments.instrument_create,
        name="instrument-create",
    ),
    path("instruments/<id:pk>/", instruments.instrument_detail, name="instrument"),
    path("instruments/<id:pk>/bank.xlsx", instruments.bank_export, name="bank-export"),
    path("instruments/<id:pk>/bank/import/", instruments.bank_import, name="bank-import"),
    path(
        "instruments/<id:pk>/administrations/new/",
        instruments.administration_create,
        name="administration-create",
    ),
    path("instruments/<id:pk>/results/", results.instrument_results, name="results"),
    path("instruments/<id:pk>/results.xlsx", results.results_export, name="results-export"),
    path(
        "instruments/<id:pk>/groups/<id:group_pk>/heatmap/",
        results.heatmap,
        name="heatmap",
    ),
    path("instruments/<id:pk>/people/<id:person_pk>/", results.profile, name="profile"),
    path("items/<id:pk>/remove/", instruments.item_remove, name="item-remove"),
    path("administrations/<id:pk>/", instruments.administration_detail, name="administration"),
    path(
        "administrations/<id:pk>/close/",
        instruments.administration_close,
        name="administration-close",
    ),
    path("administrations/<id:pk>/items/", results.item_analysis, name="item-analysis"),
    path(
        "administrations/<id:pk>/observe/<id:person_pk>/",
        take.observe,
        name="observe",
    ),
    path("take/<id:pk>/", take.take, name="take"),
    path("take/<id:pk>/start/", take.take_start, name="take-start"),
    path("take/<id:pk>/save/", take.take_save, name="take-save"),
    path("take/<id:pk>/submit/", take.take_submit, name="take-submit"),
]
