"""Every floor write is safe to retry: an optional `Idempotency-Key` on any write a terminal
or a store sends answers a retry with the first answer (see `edge`)."""
