"""Period close and the exactly-once push of final invoices to billing targets."""
