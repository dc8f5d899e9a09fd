"""The base of the pages' forms: WTForms' own messages in the reader's language, Azerbaijani included.

WTForms ships a Russian catalogue but no Azerbaijani one, so its messages ("This field is required.", "Not a
valid date value.") stayed English on Azerbaijani pages.  The ones the forms can show are in the app's own
catalogue (listed below so that extraction keeps them there); a form reads them from it first, then from
WTForms' catalogue.
"""

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations

# Never shown from here: the messages of the validators and fields the forms use, for the catalogue.
MESSAGES = (
    _l("This field is required."), _l("Invalid input."), _l("Invalid email address."), _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Not a valid choice."), _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid date value."), _l("Not a valid datetime value."), _l("Not a valid integer value."),
    _l("Not a valid decimal value."), _l("Not a valid float value."),
    _l("Invalid CSRF Token."), _l("CSRF token missing."), _l("CSRF failed."), _l("CSRF token expired."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
)


class _Translations:
    """What WTForms asks a form's meta for: raw messages (WTForms fills in their values itself)."""

    def gettext(self, string):
        ours = get_translations().ugettext(string)
        return ours if ours != string else wtforms_translations.gettext(string)

    def ngettext(self, singular, plural, n):
        ours = get_translations().ungettext(singular, plural, n)
        return ours if ours not in (singular, plural) else wtforms_translations.ngettext(singular, plural, n)


TRANSLATIONS = _Translations()


class Form(FlaskForm):
    """Every page form: Flask-WTF's (CSRF), with WTForms' messages from the app's catalogue first."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS
