"""Small helpers shared by the tfaip packages (not part of the public API)."""
