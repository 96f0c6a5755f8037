"""The exception queue: parcels and units the floor could not settle alone, for a supervisor.

`services` opens, claims and resolves them (the queue's own bookkeeping); `rules` holds the
kinds, the states and what each resolution may do. What a resolution sets off in the other
stages (a match, a rejection, an accepted shortage) is `warehouse.flow.resolve_exception`'s."""
