from rest_framework.routers import SimpleRouter

from diary.api import EntryViewSet

router = SimpleRouter()
router.register("entries", EntryViewSet, basename="entry")

urlpatterns = router.urls
