"""Inspection: versioned checklists per category, photos, grading, liability and deductions."""
