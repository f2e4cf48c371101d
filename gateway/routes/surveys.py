"""POST /v1/surveys/{token}: the customer's 1-5 score, recorded once."""

from fastapi import APIRouter

router = APIRouter(tags=["surveys"])
