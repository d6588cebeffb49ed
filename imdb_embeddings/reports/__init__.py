"""Reports drawn from the metrics: the learning curve's table and picture."""
