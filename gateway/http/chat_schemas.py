"""Request and response bodies of the customer's web chat and contact form (no token: a widget key,
then a session secret)."""

from datetime import datetime

from pydantic import BaseModel, Field

from gateway.http.schemas import Language, Strict


class ChatStartIn(Strict):
    widget_key: str = Field(min_length=8, max_length=64, pattern=r"^wk_[A-Za-z0-9_-]+$")
    # At least one visible character: a blank inquiry is bad input.
    text: str = Field(min_length=1, max_length=5000, pattern=r"\S")
    name: str | None = Field(None, max_length=200)
    # Optional ways back to the customer: kept on the ticket, never trusted to find a customer record
    # (nothing has checked them), so a stranger cannot write into someone else's history.
    email: str | None = Field(None, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 ()\-]{4,24}$")
    language: Language | None = Field(None, description="The page's language (the widget's `data-lang`).")


class ChatMessageIn(Strict):
    text: str = Field(min_length=1, max_length=5000, pattern=r"\S")


class ChatWaitOut(BaseModel):
    ticket_id: int = Field(description="The reference the customer can quote")
    status: str
    # While the ticket waits in its queue: its place, the queue's depth and the estimated wait.
    position: int | None = None
    queue_depth: int | None = None
    estimated_wait_s: float | None = None
    # False once the ticket is resolved or abandoned, or the session has ended: nothing more to write.
    open: bool = True


class ChatStartOut(ChatWaitOut):
    session_secret: str = Field(description="Send as `Authorization: Bearer <secret>`; shown once")
    expires_at: datetime


class ChatMessageOut(BaseModel):
    id: int
    # `reply` (the agent), `faq_answer` (an automatic answer), `survey` (the invitation, with its link),
    # or any kind the centre sends a customer.
    kind: str
    body: str
    created_at: datetime


class ChatStateOut(ChatWaitOut):
    messages: list[ChatMessageOut] = Field(description="The centre's messages after `after`, oldest first")


class ChatLeaveOut(BaseModel):
    ticket_id: int
    status: str
    # True when the customer left before an answer: the ticket was abandoned.
    abandoned: bool
