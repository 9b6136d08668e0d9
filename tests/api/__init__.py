"""What the API tests share."""

#: the six other first contracts, signed by 22 March 2019 (the Nord Franche-Comté one on the 20th)
FIRST_SIX = (
    "carros",
    "sud-alsace",
    "auxois-morvan",
    "grand-chatellerault",
    "val-de-garonne",
    "grand-orly",
)
