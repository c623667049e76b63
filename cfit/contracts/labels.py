"""The words of the contract schedule, for the translators.

``cfit.contracts.schedule`` is plain Python and names its figures and units in English; the pages
translate them where they are shown (``{% translate figure.label %}``, ``_(figure["label"])``). This
module only tells ``makemessages`` that those English words are messages.
"""

from django.utils.translation import gettext_noop

FIGURE_WORDS = (
    gettext_noop("Devices taken back"),
    gettext_noop("Mass taken back"),
    gettext_noop("Devices prepared for reuse"),
    gettext_noop("Mass recycled"),
    gettext_noop("Repairs carried out"),
    gettext_noop("Spare parts: average days to deliver"),
    gettext_noop("Spare parts available"),
    # units of the figures
    gettext_noop("units"),
    gettext_noop("repairs"),
    gettext_noop("days"),
)
