#include "ui/widgets/progress_delegate.h"

#include <QApplication>
#include <QDateTime>
#include <QPainter>

namespace sluice::ui {

void ProgressDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QVariant v = index.data(role_);
  if (!v.isValid()) return QStyledItemDelegate::paint(painter, option, index);
  int value = v.toInt();
  QRect r = option.rect.adjusted(2, 3, -2, -3);
  const QPalette& pal = option.palette;
  painter->save();
  if (option.state & QStyle::State_Selected) painter->fillRect(option.rect, pal.color(QPalette::Highlight));
  painter->setPen(pal.color(QPalette::Mid));
  painter->setBrush(pal.color(QPalette::Base));
  painter->drawRect(r.adjusted(0, 0, -1, -1));
  QColor fill = pal.color(QPalette::Highlight);
  if (value >= 0) {
    painter->fillRect(QRect(r.left() + 1, r.top() + 1, (r.width() - 2) * std::min(value, 100) / 100, r.height() - 2), fill);
    painter->setPen(pal.color(QPalette::Text));
    painter->drawText(r, Qt::AlignCenter, value >= 100 ? tr("done") : QStringLiteral("%1%").arg(value));
  } else {
    // Busy: a block that moves with the clock, so a repaint at the view's timer animates it.
    int w = std::max(12, r.width() / 4);
    qint64 t = QDateTime::currentMSecsSinceEpoch() / 20;
    int x = static_cast<int>(t % std::max(1, r.width() - w));
    fill.setAlpha(170);
    painter->fillRect(QRect(r.left() + x, r.top() + 1, w, r.height() - 2), fill);
    painter->setPen(pal.color(QPalette::Text));
    painter->drawText(r, Qt::AlignCenter, tr("in flight"));
  }
  painter->restore();
}

}  // namespace sluice::ui
