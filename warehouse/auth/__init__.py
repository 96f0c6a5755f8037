"""Staff accounts, sign-in (PIN or badge), tokens, and the checks every API request passes."""
