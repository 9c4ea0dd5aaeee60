"""The HS-code suggester: a goods description in, the nearest six-digit HS subheadings out."""
