from django.contrib import admin

from cakap.notices.models import Delivery, NoticePreference


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["created_at", "person", "kind", "channel", "state"]
    list_filter = ["kind", "channel", "state"]
    raw_id_fields = ["person", "opened_by"]
    search_fields = ["person__name", "person__nip", "key"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin[NoticePreference]):
    list_display = ["person", "kind", "email"]
    raw_id_fields = ["person"]
