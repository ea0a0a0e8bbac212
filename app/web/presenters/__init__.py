"""One presenter per page: its async dependency (what routes declare) beside the pure
builder of its public model (what the HTML route renders and its JSON twin returns)."""
