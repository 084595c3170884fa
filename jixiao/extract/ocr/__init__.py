"""Reading pages from their image: the per-page decision, the OCR engine, scanned tables."""
