# Models arrive with this app's issue; the app is installed now so the layout and the
# dependency order (adoption <- adopters <- children <- {panels, support} <- reporting) hold.
