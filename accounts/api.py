from rest_framework import generics, serializers

from accounts.models import User


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["email", "display_name", "language", "time_zone", "birth_year", "role"]
        read_only_fields = ["email", "role"]


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person's own profile."""

    serializer_class = ProfileSerializer

    def get_object(self) -> User:
        return self.request.user
