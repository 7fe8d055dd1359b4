// The QNetworkAccessManager side of tests/bench/client_bench.sh:
//   qnam_bench download URL     streams one body, discarding it as it arrives
//   qnam_bench loop URL N       N sequential GETs on QNAM's keep-alive pool
#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

#include <cstdio>
#include <functional>

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc < 3) {
    std::fprintf(stderr, "usage: qnam_bench download URL | loop URL N\n");
    return 2;
  }
  const QString mode = QString::fromLocal8Bit(argv[1]);
  const QUrl url(QString::fromLocal8Bit(argv[2]));
  const long n = argc > 3 ? std::atol(argv[3]) : 1;
  QNetworkAccessManager nam;
  qint64 bytes = 0;
  long done = 0;
  int rc = 0;
  std::function<void()> next = [&] {
    QNetworkReply* reply = nam.get(QNetworkRequest(url));
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&, reply] { bytes += reply->readAll().size(); });
    QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply] {
      bytes += reply->readAll().size();
      if (reply->error() != QNetworkReply::NoError) rc = 1;
      reply->deleteLater();
      if (++done < (mode == "loop" ? n : 1) && rc == 0) next();
      else app.quit();
    });
  };
  next();
  app.exec();
  std::fprintf(stderr, "%ld requests, %lld bytes\n", done, static_cast<long long>(bytes));
  return rc;
}
