"""The contact-centre simulator: a year of traffic through the real stack on a virtual clock.

`model` is a discrete-event model (simpy) of the centre: Poisson arrivals per channel with
time-of-day and day-of-week profiles and the opening hours, scaled to the year's volumes; IVR and FAQ
self-service; agents on shifts (staffed with Erlang C), with languages and per-channel capacity;
log-normal handling; patience; transfers; repeat contacts; surveys; quality evaluations. `driver`
plays its contacts through the HTTP API with back-fill tokens, each event dated (`occurred_at`) at
the model's time, so the stack's router (its claim), workers and metrics service count a past year
in minutes, and answers the workers' survey invitations with the model's dated replies; `compare`
sets the report beside the published figures and the model's own counts.

The virtual clock: the stack's router offers waiting tickets to agents signed in now, on the wall
clock, so it cannot decide a past year's answers. The model decides who answers when, and the
simulator's agents pull that work through the router's claim with back-dated events (see
`driver`). docs/simulation.md has the model, its parameters, how to run it and the figures.
"""
