// A fixture for the layering test: an engine file that includes Qt.
#include <QString>
