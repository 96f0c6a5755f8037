"""The exception queue: parcels and units the floor could not settle alone, for a supervisor.

`services` opens, claims and resolves them; `rules` holds the kinds, the states and what each
resolution may do."""
