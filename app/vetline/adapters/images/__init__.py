"""Images: safe decoding, changed-pixel regions, partly accepted images written exactly, boxes."""
