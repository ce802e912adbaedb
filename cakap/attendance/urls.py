from django.urls import path

from cakap.attendance.views import checkin, notices, policy, recap, roll

app_name = "attendance"

urlpatterns = [
    # The check-in: the scan, the typed code, cards, the coach's screen, personal links.
    path("c/<id:session_id>/<str:code>/", checkin.checkin_scan, name="checkin-scan"),
    path("checkin/", checkin.checkin_code, name="checkin-code"),
    path("card/", checkin.my_card, name="my-card"),
    path("sessions/<id:pk>/checkin/", checkin.coach_checkin, name="coach-checkin"),
    path("sessions/<id:pk>/checkin/code/", checkin.coach_code, name="coach-code"),
    path("sessions/<id:pk>/checkin/roll/", checkin.coach_roll, name="coach-roll"),
    path("sessions/<id:pk>/checkin/search/", checkin.coach_search, name="coach-search"),
    path("sessions/<id:pk>/checkin/mark/", checkin.coach_mark, name="coach-mark"),
    path("sessions/<id:pk>/checkin/card/", checkin.coach_card, name="coach-card"),
    path(
        "sessions/<id:pk>/checkin/records/<id:record_pk>/decide/",
        checkin.coach_decide,
        name="coach-decide",
    ),
    path("programmes/<id:pk>/links/", checkin.links_list, name="links-list"),
    path("programmes/<id:pk>/links/issue/", checkin.links_issue, name="links-issue"),
    path("programmes/<id:pk>/links/print/", checkin.links_print, name="links-print"),
    path("programmes/<id:pk>/refusals/", checkin.attempts_list, name="checkin-attempts"),
    path("links/<id:link_pk>/revoke/", checkin.links_revoke, name="links-revoke"),
    path("links/<id:link_pk>/email/", checkin.links_email, name="links-email"),
    path("l/<str:token>/", checkin.link_open, name="link-open"),
    # The roll, absence requests, one's own attendance, recaps and the at-risk list.
    path("sessions/<id:pk>/roll/", roll.roll, name="roll"),
    path("sessions/<id:pk>/roll/<id:person_pk>/", roll.roll_row, name="roll-row"),
    path("sessions/<id:pk>/close/", roll.roll_close, name="roll-close"),
    path("sessions/<id:session_pk>/absence/", roll.absence_request, name="absence-request"),
    path("records/<id:pk>/document/", roll.record_document, name="record-document"),
    path("absence/", roll.absence_queue, name="absence-queue"),
    path("absence/<id:pk>/decide/", roll.absence_decide, name="absence-decide"),
    path("absence/<id:pk>/document/", roll.absence_document, name="absence-document"),
    path("my/", roll.my_index, name="my-attendance"),
    path("my/<id:programme_pk>/", roll.my_programme, name="my-attendance-programme"),
    path("recap/groups/<id:pk>/", recap.recap_group, name="recap-group"),
    path(
        "recap/groups/<id:pk>/export.<str:fmt>", recap.recap_group_file, name="recap-group-export"
    ),
    path("recap/programmes/<id:pk>/", recap.recap_programme, name="recap-programme"),
    path(
        "recap/programmes/<id:pk>/export.<str:fmt>",
        recap.recap_programme_file,
        name="recap-programme-export",
    ),
    path("risk/programmes/<id:pk>/", recap.risk_list, name="risk-programme"),
    # How attendance is taken: the programme's check-in rules, a session's venue.
    path("programmes/<id:pk>/policy/", policy.policy_edit, name="policy-edit"),
    path("sessions/<id:pk>/venue/", policy.session_venue, name="session-venue"),
    # Notices (decision 93): a programme's delivery log and the WhatsApp lists.
    path("programmes/<id:pk>/notices/", notices.programme_log, name="notices-programme"),
    path("programmes/<id:pk>/whatsapp/", notices.whatsapp_programme, name="whatsapp-programme"),
    path("sessions/<id:pk>/whatsapp/", notices.whatsapp_session, name="whatsapp-session"),
    path("whatsapp/<id:pk>/open/", notices.whatsapp_open, name="whatsapp-open"),
]
