"""WhatsApp as click-to-chat: no paid messaging API. A prepared message becomes one
`https://wa.me/62...?text=...` link per person, which the coach or organiser taps to
open the chat with the text filled in. The phone is normalised by people's one
normaliser (cakap.people.cleaning through cakap.people.invitations.whatsapp_url).
"""

from cakap.people.cleaning import normalise_phone
from cakap.people.invitations import whatsapp_url


def has_whatsapp_number(phone: str) -> bool:
    """Whether `phone` normalises to an Indonesian number a wa.me link can open."""
    return bool(normalise_phone(phone or ""))


def chat_url(phone: str, text: str) -> str:
    """The wa.me link to `phone` (stored as 08..., sent as 62...) with `text` ready."""
    return whatsapp_url(phone, text)
