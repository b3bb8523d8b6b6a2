from rest_framework.routers import SimpleRouter

from items.views import ItemViewSet

# /items and /items/{id}, without Django's trailing slash.
router = SimpleRouter(trailing_slash=False)
router.register("items", ItemViewSet, basename="item")

urlpatterns = router.urls
