import factory

from agencies.models import Agency, Membership, User
from agencies.services import agency_save


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="id_ID")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.go.id")
    password = factory.PostGenerationMethodCall("set_password", "Rahasia-Kuat-2026")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"90.{n % 100:02d}")
    name = factory.LazyAttribute(lambda a: f"Kabupaten Uji {a.code}")
    short_name = factory.LazyAttribute(lambda a: f"Uji {a.code}")
    kind = Agency.Kind.REGENCY

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return agency_save(agency=model_class(*args, **kwargs))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.OFFICER
