"""The floor UI: server-rendered, scan-first pages for handhelds and supervisors.

Pages call the same service functions as the JSON API; nothing here re-implements a rule.
`warehouse.ui.pages.init_ui` sets them up on the app.
"""
