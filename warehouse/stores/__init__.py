"""Stores: the merchants (tenants) the centre serves, their API keys, webhook and return policy."""
