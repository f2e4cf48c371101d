"""Push routing: offers the best waiting ticket to the best eligible agent, safely from many processes."""
