// sluice: the desktop workbench (request composer, local stream servers, pool lanes).
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <cstdio>

#include "screenshot_tour.h"
#include "ui/panels/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Sluice"));
  QApplication::setApplicationName(QStringLiteral("sluice"));
  QApplication::setApplicationDisplayName(QStringLiteral("Sluice"));
  QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/sluice.svg")));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "HTTP/1.1 stream workbench. An embedded stream server starts on 127.0.0.1:8080 "
      "(or the next free port); the request composer is pre-filled with it."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption listen(QStringList{QStringLiteral("listen")},
                            QStringLiteral("Embedded server address, HOST:PORT (port 0: any free port)."),
                            QStringLiteral("HOST:PORT"));
  QCommandLineOption noRestore(QStringList{QStringLiteral("no-restore")},
                               QStringLiteral("Do not restore the saved window layout."));
  QCommandLineOption tour(QStringList{QStringLiteral("screenshot-tour")},
                          QStringLiteral("Run a short scripted session, save PNGs of each area into DIR, quit."),
                          QStringLiteral("DIR"));
  parser.addOption(listen);
  parser.addOption(noRestore);
  parser.addOption(tour);
  QCommandLineOption workspace(QStringList{QStringLiteral("workspace")},
                               QStringLiteral("Open FOLDER as the workspace (default: the last one)."), QStringLiteral("FOLDER"));
  parser.addOption(workspace);
  parser.addPositionalArgument(QStringLiteral("FILE.http"), QStringLiteral("A .http file to open (its folder becomes the workspace)."),
                               QStringLiteral("[FILE.http]"));
  parser.process(app);

  sluice::ui::MainWindowOptions options;
  options.listen = parser.value(listen);
  options.restoreState = !parser.isSet(noRestore);
  options.workspace = parser.value(workspace);
  if (!parser.positionalArguments().isEmpty()) options.openFile = parser.positionalArguments().constFirst();
  sluice::ui::MainWindow window(options);
  if (QString url = window.embeddedUrl(); !url.isEmpty()) {
    std::printf("listening on %s\n", url.toUtf8().constData());
    std::fflush(stdout);
  } else {
    std::fprintf(stderr, "sluice: %s\n", window.embeddedError().toUtf8().constData());
  }
  window.show();
  if (parser.isSet(tour)) {
    window.resize(1280, 800);
    auto* t = new ScreenshotTour(&window, parser.value(tour), &window);
    t->start();
  }
  return app.exec();
}
