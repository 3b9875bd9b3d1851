"""The analysis of an entry over the API. Only the entry's owner sees or changes it; others get 404."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inference import services
from inference.selectors import analysis_for_entry, analysis_get_visible_to
from inference.serializers import AnalysisSerializer, CorrectionRequestSerializer


def _analysis(request: Request, analysis) -> Response:
    return Response(AnalysisSerializer(analysis, context={"request": request}).data)


class AnalysisApi(APIView):
    @extend_schema(responses=AnalysisSerializer, summary="The emotion reading of one of my entries")
    def get(self, request: Request, entry_id: int) -> Response:
        return _analysis(request, services.analysis_get_polled(user=request.user, entry_id=entry_id))


class AnalysisRetryApi(APIView):
    @extend_schema(request=None, summary="Try a failed analysis again",
                   responses={202: AnalysisSerializer, 409: OpenApiResponse(description="not failed")})
    def post(self, request: Request, entry_id: int) -> Response:
        entry = analysis_get_visible_to(user=request.user, entry_id=entry_id).entry
        try:
            services.analysis_retry(entry=entry)
        except services.RetryRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        response = _analysis(request, analysis_for_entry(entry=entry))
        response.status_code = status.HTTP_202_ACCEPTED
        return response


class AnalysisCorrectionApi(APIView):
    @extend_schema(
        request=CorrectionRequestSerializer,
        summary="Is this right? Confirm the reading (its own emotion), correct it, or say how I feel when it abstained",
        responses={200: AnalysisSerializer, 409: OpenApiResponse(description="no reading to correct yet")},
    )
    def post(self, request: Request, entry_id: int) -> Response:
        entry = analysis_get_visible_to(user=request.user, entry_id=entry_id).entry
        serializer = CorrectionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.correction_set(entry=entry, emotion=serializer.validated_data["emotion"])
        except services.CorrectionRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return _analysis(request, analysis_for_entry(entry=entry))

    @extend_schema(responses={204: None}, summary="Withdraw my correction")
    def delete(self, request: Request, entry_id: int) -> Response:
        entry = analysis_get_visible_to(user=request.user, entry_id=entry_id).entry
        services.correction_delete(entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)
