"""Events to stores: the transactional outbox, the feed stores poll, and webhook delivery."""
