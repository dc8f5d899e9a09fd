"""Use-cases.  Every write goes through here; services take the actor and only ``flush()``."""
