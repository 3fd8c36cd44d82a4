"""The password-reset page: same answer and same work for known and unknown addresses, and a limit
on how many e-mails an address or a mailbox can cause."""

import pytest
from django.core import mail
from django.urls import reverse

from agencies.forms import QueuedPasswordResetForm

pytestmark = pytest.mark.django_db


def ask(client, email, address="10.17.2.40"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.fixture
def spy_send_mail(monkeypatch):
    calls = []
    original = QueuedPasswordResetForm.send_mail

    def spy(self, *args, **kwargs):
        calls.append(args[4])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QueuedPasswordResetForm, "send_mail", spy)
    return calls


def test_known_and_unknown_addresses_run_the_same_mail_path(client, rejang_lebong_officer, spy_send_mail,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask(client, rejang_lebong_officer.email)
        unknown = ask(client, "tidak.ada@example.go.id")
    assert known.status_code == unknown.status_code == 302 and known.url == unknown.url
    # The e-mail is rendered for both; only the real one is queued.
    assert spy_send_mail == [rejang_lebong_officer.email, ""]
    assert [message.to for message in mail.outbox] == [[rejang_lebong_officer.email]]


def test_the_fourth_request_from_one_address_sends_nothing_but_answers_the_same(client, rejang_lebong_officer, kepahiang_officer,
                                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [ask(client, rejang_lebong_officer.email) for _ in range(3)]
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        fourth = ask(client, kepahiang_officer.email)
    assert len(mail.outbox) == 3
    assert fourth.status_code == 302 and fourth.url == answers[0].url
    assert client.get(fourth.url).status_code == 200


def test_one_mailbox_gets_at_most_three_e_mails_an_hour_from_any_addresses(client, rejang_lebong_officer,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            ask(client, rejang_lebong_officer.email.upper(), address=f"203.0.113.{number}")
    assert len(mail.outbox) == 3
