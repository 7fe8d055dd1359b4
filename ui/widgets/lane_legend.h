#pragma once
/** A one-line legend of the lane colours. */
#include <QWidget>

namespace sluice::ui {

class LaneLegend : public QWidget {
  Q_OBJECT
 public:
  explicit LaneLegend(QWidget* parent = nullptr);
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent*) override;
};

}  // namespace sluice::ui
