from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A password must mix letters with digits or symbols, on top of Django's length, common-password
    and similarity rules (settings.AUTH_PASSWORD_VALIDATORS)."""

    def validate(self, password, user=None):
        has_letter = any(ch.isalpha() for ch in password)
        has_other = any(not ch.isalpha() for ch in password)
        has_upper_and_lower = any(ch.isupper() for ch in password) and any(ch.islower() for ch in password)
        if not (has_letter and has_other and has_upper_and_lower):
            raise ValidationError(self.get_help_text(), code="password_character_classes")

    def get_help_text(self):
        return _("Your password must contain upper-case and lower-case letters and at least one digit or symbol.")
